Kind = "service-defaults"
Name = "paymentservice"
Protocol = "grpc"
