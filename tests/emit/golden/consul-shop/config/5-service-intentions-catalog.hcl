# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "catalog"
Sources = [
  {
    Name = "cart"
    Description = "cart calls GetProduct (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CatalogService/GetProduct"
        }
      },
    ]
  },
  {
    Name = "web-bff"
    Description = "web-bff calls GetProduct, ListFeatured (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CatalogService/GetProduct"
        }
      },
      {
        Action = "allow"
        HTTP = {
          PathExact = "/CatalogService/ListFeatured"
        }
      },
    ]
  },
]
