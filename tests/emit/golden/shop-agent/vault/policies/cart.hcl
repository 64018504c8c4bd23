path "secret/data/shop/cart/carts-redis-password" {
  capabilities = ["read"]
}
