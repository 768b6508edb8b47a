package pcap

import (
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// layerTypeRecord is the first layer of every frame: the capture record,
// whose payload is decoded as the link layer the record names. It lets one
// DecodingLayerParser serve every link type of a pcapng file that mixes
// them. 1000-1999 is gopacket's range for application layer types.
var layerTypeRecord = gopacket.RegisterLayerType(1806, gopacket.LayerTypeMetadata{
	Name: "arpforensics capture record",
	Decoder: gopacket.DecodeFunc(func([]byte, gopacket.PacketBuilder) error {
		return errors.New("a capture record is decoded by the capture reader only")
	}),
})

// recordLayer is layerTypeRecord's DecodingLayer.
type recordLayer struct {
	link    layers.LinkType
	payload []byte
}

func (r *recordLayer) CanDecode() gopacket.LayerClass { return layerTypeRecord }
func (r *recordLayer) LayerPayload() []byte           { return r.payload }

func (r *recordLayer) DecodeFromBytes(data []byte, _ gopacket.DecodeFeedback) error {
	r.payload = data
	return nil
}

func (r *recordLayer) NextLayerType() gopacket.LayerType {
	switch r.link {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL
	case layers.LinkTypeLinuxSLL2:
		return layers.LayerTypeLinuxSLL2
	}
	return gopacket.LayerTypeZero
}

// vlanLayer decodes 802.1Q and 802.1ad tags and remembers the outermost
// VLAN id: in a QinQ frame the parser decodes the tag layer twice, and the
// inner tag would overwrite the outer (service) one. Reset tags per frame.
type vlanLayer struct {
	layers.Dot1Q
	outer uint16
	tags  int
}

func (v *vlanLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if err := v.Dot1Q.DecodeFromBytes(data, df); err != nil {
		return err
	}
	if v.tags == 0 {
		v.outer = v.VLANIdentifier
	}
	v.tags++
	return nil
}

// tcpHeader decodes only the fixed TCP header fields the folder needs:
// ports, sequence number and flags. layers.TCP also parses every option,
// allocating for MPTCP ones, which the analysis never reads. Decoding
// stops here: the payload is not needed.
type tcpHeader struct {
	srcPort, dstPort uint16
	seq              uint32
	flags            uint8
}

func (t *tcpHeader) CanDecode() gopacket.LayerClass    { return layers.LayerTypeTCP }
func (t *tcpHeader) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }
func (t *tcpHeader) LayerPayload() []byte              { return nil }

func (t *tcpHeader) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 20 {
		df.SetTruncated()
		return errShortTCP
	}
	if data[12]>>4 < 5 {
		return errTCPOffset
	}
	t.srcPort = uint16(data[0])<<8 | uint16(data[1])
	t.dstPort = uint16(data[2])<<8 | uint16(data[3])
	t.seq = uint32(data[4])<<24 | uint32(data[5])<<16 | uint32(data[6])<<8 | uint32(data[7])
	t.flags = data[13]
	return nil
}

// layerTypePBB is an 802.1ah provider backbone I-TAG (EtherType 0x88e7):
// 4 bytes (priority, flags, the 24-bit I-SID) and then the customer's whole
// Ethernet frame, whose ARP is read like any other. Registered so the
// Ethernet and 802.1ad layers hand 0x88e7 to it.
var layerTypePBB = gopacket.RegisterLayerType(1807, gopacket.LayerTypeMetadata{
	Name: "802.1ah I-TAG",
	Decoder: gopacket.DecodeFunc(func([]byte, gopacket.PacketBuilder) error {
		return errors.New("an 802.1ah I-TAG is decoded by the capture reader only")
	}),
})

const etherTypePBB = layers.EthernetType(0x88e7)

func init() {
	layers.EthernetTypeMetadata[etherTypePBB] = layers.EnumMetadata{
		DecodeWith: gopacket.DecodeFunc(func([]byte, gopacket.PacketBuilder) error {
			return errors.New("an 802.1ah I-TAG is decoded by the capture reader only")
		}),
		Name: "PBB", LayerType: layerTypePBB,
	}
}

// pbbLayer is layerTypePBB's DecodingLayer: the customer frame follows.
type pbbLayer struct {
	isid    uint32
	payload []byte
}

func (p *pbbLayer) CanDecode() gopacket.LayerClass    { return layerTypePBB }
func (p *pbbLayer) NextLayerType() gopacket.LayerType { return layers.LayerTypeEthernet }
func (p *pbbLayer) LayerPayload() []byte              { return p.payload }

func (p *pbbLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 4+14 {
		df.SetTruncated()
		return errShortPBB
	}
	p.isid = uint32(data[1])<<16 | uint32(data[2])<<8 | uint32(data[3])
	p.payload = data[4:]
	return nil
}

var errShortPBB = errors.New("802.1ah I-TAG cut short")
