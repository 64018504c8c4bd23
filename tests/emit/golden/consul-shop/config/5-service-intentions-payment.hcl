# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "payment"
Sources = [
  {
    Name = "checkout"
    Description = "checkout calls Charge (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/PaymentService/Charge"
        }
      },
    ]
  },
]
