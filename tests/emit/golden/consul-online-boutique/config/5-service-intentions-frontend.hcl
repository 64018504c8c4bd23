# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "frontend"
Sources = [
  {
    Name = "ingress-gateway"
    Description = "public entrypoints call AddToCart, Home, PlaceOrder, Product, SetCurrency, ViewCart"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Frontend/AddToCart"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Frontend/Home"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Frontend/PlaceOrder"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Frontend/Product"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Frontend/SetCurrency"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Frontend/ViewCart"
          Methods = ["POST"]
        }
      },
    ]
  },
]
