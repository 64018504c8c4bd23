# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "checkout"
Sources = [
  {
    Name = "web-bff"
    Description = "web-bff calls PlaceOrder (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CheckoutService/PlaceOrder"
        }
      },
    ]
  },
]
