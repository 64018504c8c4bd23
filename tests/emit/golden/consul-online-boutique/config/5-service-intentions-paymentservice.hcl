# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "paymentservice"
Sources = [
  {
    Name = "checkoutservice"
    Description = "checkoutservice calls Charge (call graph ∩ authorization)"
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
