# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "orders"
Sources = [
  {
    Name = "checkout"
    Description = "checkout calls ConfirmOrder, CreateOrder (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/OrderService/ConfirmOrder"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/OrderService/CreateOrder"
        }
      },
    ]
  },
  {
    Name = "web-bff"
    Description = "web-bff calls GetOrder (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/OrderService/GetOrder"
        }
      },
    ]
  },
]
