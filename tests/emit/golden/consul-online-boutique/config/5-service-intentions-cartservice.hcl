# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "cartservice"
Sources = [
  {
    Name = "checkoutservice"
    Description = "checkoutservice calls EmptyCart, GetCart (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CartService/EmptyCart"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CartService/GetCart"
        }
      },
    ]
  },
  {
    Name = "frontend"
    Description = "frontend calls AddItem, EmptyCart, GetCart (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CartService/AddItem"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CartService/EmptyCart"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CartService/GetCart"
        }
      },
    ]
  },
]
