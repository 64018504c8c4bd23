Kind = "service-defaults"
Name = "search"
Protocol = "http"
