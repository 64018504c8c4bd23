# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "adservice"
Sources = [
  {
    Name = "frontend"
    Description = "frontend calls GetAds (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/AdService/GetAds"
        }
      },
    ]
  },
]
