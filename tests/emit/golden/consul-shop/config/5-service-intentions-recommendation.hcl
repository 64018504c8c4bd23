# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "recommendation"
Sources = [
  {
    Name = "web-bff"
    Description = "web-bff calls ForCustomer, Similar (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/RecommendationService/ForCustomer"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/RecommendationService/Similar"
        }
      },
    ]
  },
]
