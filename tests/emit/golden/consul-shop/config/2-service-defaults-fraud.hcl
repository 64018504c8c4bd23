Kind = "service-defaults"
Name = "fraud"
Protocol = "grpc"
