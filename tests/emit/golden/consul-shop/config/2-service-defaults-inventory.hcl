Kind = "service-defaults"
Name = "inventory"
Protocol = "grpc"
