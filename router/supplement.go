package router

// applySupplement adds commands newer than the Redis 7.0 metadata the table
// is generated from, which clients send to every server. CLIENT SETINFO
// (Redis 7.2) is sent by go-redis and other clients on connect; its entry
// follows Redis 7.2's client-setinfo.json.
func applySupplement() {
	var client *Command
	for _, c := range redisCommands {
		if c.Name == "client" {
			client = c
		}
	}
	if client == nil {
		return
	}
	setinfo := &Command{
		Name: "client|setinfo", Arity: 4,
		Flags:         FlagNoScript | FlagLoading | FlagStale,
		ACLCategories: []string{"slow", "connection"},
		Doc: Doc{
			Summary:    "Sets information specific to the client.",
			Since:      "7.2.0",
			Group:      "connection",
			Complexity: "O(1)",
			Arguments: []Arg{
				{Name: "attr", Type: "oneof", KeySpecIndex: -1, Arguments: []Arg{
					{Name: "libname", Type: "string", KeySpecIndex: -1, Token: "LIB-NAME"},
					{Name: "libver", Type: "string", KeySpecIndex: -1, Token: "LIB-VER"},
				}},
			},
		},
	}
	// Keep subcommands sorted: Sub binary-searches them.
	subs := client.Subcommands
	i := 0
	for i < len(subs) && subs[i].Name < setinfo.Name {
		i++
	}
	client.Subcommands = append(subs[:i:i], append([]*Command{setinfo}, subs[i:]...)...)
}
