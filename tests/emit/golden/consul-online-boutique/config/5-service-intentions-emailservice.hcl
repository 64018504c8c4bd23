# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "emailservice"
Sources = [
  {
    Name = "checkoutservice"
    Description = "checkoutservice calls SendOrderConfirmation (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/EmailService/SendOrderConfirmation"
        }
      },
    ]
  },
]
