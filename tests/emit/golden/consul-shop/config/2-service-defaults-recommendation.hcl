Kind = "service-defaults"
Name = "recommendation"
Protocol = "grpc"
