# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "recommendationservice"
Sources = [
  {
    Name = "frontend"
    Description = "frontend calls ListRecommendations (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/RecommendationService/ListRecommendations"
        }
      },
    ]
  },
]
