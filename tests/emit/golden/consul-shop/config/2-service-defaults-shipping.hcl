Kind = "service-defaults"
Name = "shipping"
Protocol = "grpc"
