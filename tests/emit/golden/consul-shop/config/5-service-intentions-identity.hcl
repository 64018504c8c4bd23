# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "identity"
Sources = [
  {
    Name = "checkout"
    Description = "checkout calls GetProfile (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/IdentityService/GetProfile"
        }
      },
    ]
  },
  {
    Name = "web-bff"
    Description = "web-bff calls Login (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/IdentityService/Login"
        }
      },
    ]
  },
]
