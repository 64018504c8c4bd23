# deny by default: calls no other intention allows are refused
Kind = "service-intentions"
Name = "*"
Sources = [
  {
    Name = "*"
    Action = "deny"
    Description = "deny by default"
  },
]
