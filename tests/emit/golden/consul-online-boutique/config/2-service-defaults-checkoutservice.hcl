Kind = "service-defaults"
Name = "checkoutservice"
Protocol = "grpc"
