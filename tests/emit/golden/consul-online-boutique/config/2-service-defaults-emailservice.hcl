Kind = "service-defaults"
Name = "emailservice"
Protocol = "grpc"
