# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "search"
Sources = [
  {
    Name = "web-bff"
    Description = "web-bff calls Query (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/SearchApi/Query"
          Methods = ["POST"]
        }
      },
    ]
  },
]
