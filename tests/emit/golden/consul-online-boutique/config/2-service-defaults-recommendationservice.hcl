Kind = "service-defaults"
Name = "recommendationservice"
Protocol = "grpc"
