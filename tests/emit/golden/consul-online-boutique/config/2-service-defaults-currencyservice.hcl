Kind = "service-defaults"
Name = "currencyservice"
Protocol = "grpc"
