# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "productcatalogservice"
Sources = [
  {
    Name = "checkoutservice"
    Description = "checkoutservice calls GetProduct (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ProductCatalogService/GetProduct"
        }
      },
    ]
  },
  {
    Name = "frontend"
    Description = "frontend calls GetProduct, ListProducts (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ProductCatalogService/GetProduct"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ProductCatalogService/ListProducts"
        }
      },
    ]
  },
  {
    Name = "recommendationservice"
    Description = "recommendationservice calls ListProducts (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/ProductCatalogService/ListProducts"
        }
      },
    ]
  },
]
