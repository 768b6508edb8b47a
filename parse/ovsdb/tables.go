package ovsdb

// selected are the tables whose row changes become events, and the columns
// each event carries (those of them the file's schema has). Everything else
// — logical flows above all — is read past. Gateway_Chassis and
// Static_MAC_Binding exist in both OVN databases. Columns that grow with the
// deployment (a switch's ports, a switch port's external_ids) are left out:
// the parser keeps every followed row, and each event carries its row whole.
var selected = map[string][]string{
	// Northbound.
	"Logical_Router":      {"name", "ports", "nat", "options", "external_ids", "enabled"},
	"Logical_Router_Port": {"name", "mac", "networks", "gateway_chassis", "ha_chassis_group", "peer", "options", "external_ids"},
	"Gateway_Chassis":     {"name", "chassis_name", "priority"},
	"NAT":                 {"type", "external_ip", "external_mac", "logical_ip", "logical_port", "external_ids"},
	"Logical_Switch":      {"name", "external_ids"},
	"Logical_Switch_Port": {"name", "type", "addresses", "dynamic_addresses", "options", "up", "enabled"},
	"Static_MAC_Binding":  {"logical_port", "ip", "mac", "override_dynamic_mac", "datapath"},
	// Southbound.
	"Port_Binding":     {"logical_port", "type", "mac", "nat_addresses", "chassis", "datapath", "options", "up", "tunnel_key"},
	"MAC_Binding":      {"ip", "mac", "logical_port", "datapath", "timestamp"},
	"Chassis":          {"name", "hostname"},
	"Datapath_Binding": {"tunnel_key", "external_ids"},
}

// maxRows bounds the rows of the selected tables the parser follows (it must
// know a row to tell an insert from a modification and to fill in the
// columns a diff leaves out). Past it, new rows are not followed and a note
// says so.
var maxRows = 2 << 20

// maxComment is how much of a transaction's _comment an event keeps.
const maxComment = 512
