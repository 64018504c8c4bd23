Kind = "service-defaults"
Name = "shippingservice"
Protocol = "grpc"
