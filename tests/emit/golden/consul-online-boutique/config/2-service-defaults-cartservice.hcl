Kind = "service-defaults"
Name = "cartservice"
Protocol = "grpc"
