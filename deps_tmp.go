package main
import (
 _ "github.com/panjf2000/gnet/v2"
 _ "github.com/tidwall/resp"
 _ "github.com/buraksezer/consistent"
 _ "github.com/go-chi/chi/v5"
 _ "github.com/cespare/xxhash/v2"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "go.yaml.in/yaml/v3"
 _ "github.com/redis/go-redis/v9"
)
func main(){}
