# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "shippingservice"
Sources = [
  {
    Name = "checkoutservice"
    Description = "checkoutservice calls GetQuote, ShipOrder (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ShippingService/GetQuote"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ShippingService/ShipOrder"
        }
      },
    ]
  },
  {
    Name = "frontend"
    Description = "frontend calls GetQuote (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ShippingService/GetQuote"
        }
      },
    ]
  },
]
