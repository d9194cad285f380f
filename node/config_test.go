package node

import (
	"errors"
	"testing"
	"time"
)

// Rule: validate fills zero fields from DefaultConfig and rejects nonsense.
func TestConfigValidate(t *testing.T) {
	var c Config
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	if c.TickInterval != d.TickInterval || c.MaxLineBytes != d.MaxLineBytes || c.ClientReplyDeadline != d.ClientReplyDeadline ||
		c.InboxSize != d.InboxSize || c.OutboxSize != d.OutboxSize || c.Now == nil || c.Logf == nil || c.TempDir == "" || c.ParentPID == 0 {
		t.Fatalf("zero fields not filled: %+v", c)
	}
	for name, mod := range map[string]func(*Config){
		"negative tick":     func(c *Config) { c.TickInterval = -time.Millisecond },
		"tiny line cap":     func(c *Config) { c.MaxLineBytes = 100 },
		"negative deadline": func(c *Config) { c.ClientReplyDeadline = -1 },
		"bad durability":    func(c *Config) { c.Durability = 9 },
		"bad level":         func(c *Config) { c.LogLevel = 9 },
	} {
		c := DefaultConfig()
		mod(&c)
		if err := c.validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
		if _, err := New(c, NewMem()); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := New(DefaultConfig(), nil); err == nil {
		t.Error("New accepted a nil transport")
	}
}

// Rule: flag spellings round-trip.
func TestParseFlags(t *testing.T) {
	for _, d := range []Durability{DurabilityDisk, DurabilityNone} {
		if got, err := ParseDurability(d.String()); err != nil || got != d {
			t.Errorf("durability %v: %v %v", d, got, err)
		}
	}
	for _, l := range []Level{LevelError, LevelWarn, LevelInfo, LevelDebug} {
		if got, err := ParseLevel(l.String()); err != nil || got != l {
			t.Errorf("level %v: %v %v", l, got, err)
		}
	}
	if _, err := ParseDurability("paper"); err == nil {
		t.Error("durability paper accepted")
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("level loud accepted")
	}
}
