Kind = "service-defaults"
Name = "orders"
Protocol = "grpc"
