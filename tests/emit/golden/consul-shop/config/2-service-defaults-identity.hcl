Kind = "service-defaults"
Name = "identity"
Protocol = "grpc"
