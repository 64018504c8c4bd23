# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "checkoutservice"
Sources = [
  {
    Name = "frontend"
    Description = "frontend calls PlaceOrder (call graph ∩ authorization)"
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
