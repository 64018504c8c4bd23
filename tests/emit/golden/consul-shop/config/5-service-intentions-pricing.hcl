# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "pricing"
Sources = [
  {
    Name = "checkout"
    Description = "checkout calls QuoteOrder (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/PricingService/QuoteOrder"
        }
      },
    ]
  },
  {
    Name = "web-bff"
    Description = "web-bff calls GetPrice, PriceBatch (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/PricingService/GetPrice"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/PricingService/PriceBatch"
        }
      },
    ]
  },
]
