Kind = "service-defaults"
Name = "productcatalogservice"
Protocol = "grpc"
