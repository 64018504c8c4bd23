# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "web-bff"
Sources = [
  {
    Name = "ingress-gateway"
    Description = "public entrypoints call AddToCart, Checkout, GetCart, GetOrder, Home, Login, ProductPage, Search"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/AddToCart"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/Checkout"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/GetCart"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/GetOrder"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/Home"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/Login"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/ProductPage"
          Methods = ["POST"]
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/Storefront/Search"
          Methods = ["POST"]
        }
      },
    ]
  },
]
