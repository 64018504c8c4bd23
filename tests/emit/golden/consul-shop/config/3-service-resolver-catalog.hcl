# the model names no connect timeout: Consul's default, written explicitly
Kind = "service-resolver"
Name = "catalog"
ConnectTimeout = "5s"
LoadBalancer = {
  Policy = "round_robin"
}
