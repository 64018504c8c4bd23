Kind = "service-defaults"
Name = "notification"
Protocol = "tcp"
