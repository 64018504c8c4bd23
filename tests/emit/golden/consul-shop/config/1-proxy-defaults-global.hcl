# protocol tcp unless a service's ServiceDefaults says otherwise (every service's does)
# local_request_timeout_ms 0: the proxy in front of a service never cuts a request;
# the caller's route timeout (the model's) is the only deadline
# mesh gateways off: the model describes one datacenter
Kind = "proxy-defaults"
Name = "global"
Config = {
  protocol = "tcp"
  local_request_timeout_ms = 0
}
MeshGateway = {
  Mode = "none"
}
MutualTLSMode = "strict"
