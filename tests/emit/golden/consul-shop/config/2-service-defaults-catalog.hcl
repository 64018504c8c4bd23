# API CatalogService (port 50051) of catalog
Kind = "service-defaults"
Name = "catalog"
Protocol = "grpc"
