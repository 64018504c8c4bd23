# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "cart"
Sources = [
  {
    Name = "checkout"
    Description = "checkout calls Clear, GetCart (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CartService/Clear"
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
    Name = "web-bff"
    Description = "web-bff calls AddItem, GetCart (call graph ∩ authorization)"
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
          PathExact = "/CartService/GetCart"
        }
      },
    ]
  },
]
