# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "shipping"
Sources = [
  {
    Name = "checkout"
    Description = "checkout calls CreateShipment (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ShippingService/CreateShipment"
        }
      },
    ]
  },
  {
    Name = "pricing"
    Description = "pricing calls Quote (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ShippingService/Quote"
        }
      },
    ]
  },
]
