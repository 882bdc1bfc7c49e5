package router

// applySupplement adds commands newer than the Redis 7.0 metadata the table is
// generated from, that clients send to every server. CLIENT SETINFO (Redis
// 7.2) is sent by go-redis and other clients on connect; its entry follows
// Redis 7.2's client-setinfo.json.
func applySupplement() {
	client := topLevel["client"]
	if client == nil {
		return
	}
	setinfo := &Command{
		Name: "client|setinfo", Arity: 4,
		Flags:         FlagNoScript | FlagLoading | FlagStale,
		ACLCategories: []string{"slow", "connection"},
		docs: "%5\r\n$7\r\nsummary\r\n$40\r\nSets information specific to the client.\r\n" +
			"$5\r\nsince\r\n$5\r\n7.2.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n" +
			"$9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$4\r\nattr\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n" +
			"%4\r\n$4\r\nname\r\n$7\r\nlibname\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$8\r\nLIB-NAME\r\n" +
			"%4\r\n$4\r\nname\r\n$6\r\nlibver\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$7\r\nLIB-VER\r\n",
	}
	// Keep subcommands sorted, as the generator emits them.
	subs := client.Subcommands
	i := 0
	for i < len(subs) && subs[i].Name < setinfo.Name {
		i++
	}
	client.Subcommands = append(subs[:i], append([]*Command{setinfo}, subs[i:]...)...)
}
