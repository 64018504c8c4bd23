# the model names no connect timeout: Consul's default, written explicitly
Kind = "service-resolver"
Name = "currencyservice"
ConnectTimeout = "5s"
LoadBalancer = {
  Policy = "round_robin"
}
