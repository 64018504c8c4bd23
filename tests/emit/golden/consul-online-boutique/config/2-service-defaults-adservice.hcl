Kind = "service-defaults"
Name = "adservice"
Protocol = "grpc"
