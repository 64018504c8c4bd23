# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "currencyservice"
Sources = [
  {
    Name = "checkoutservice"
    Description = "checkoutservice calls Convert (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CurrencyService/Convert"
        }
      },
    ]
  },
  {
    Name = "frontend"
    Description = "frontend calls Convert, GetSupportedCurrencies (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CurrencyService/Convert"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CurrencyService/GetSupportedCurrencies"
        }
      },
    ]
  },
]
