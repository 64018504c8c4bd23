# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "fraud"
Sources = [
  {
    Name = "payment"
    Description = "payment calls Score (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/FraudService/Score"
        }
      },
    ]
  },
]
