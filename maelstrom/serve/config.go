package serve

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Config configures a Server.
type Config struct {
	// Store is the store directory (default "store").
	Store string
	// Host and Port are where ListenAndServe listens (default 127.0.0.1
	// and 8080). A host other than loopback exposes every run to the
	// network.
	Host string
	Port int
	// LiveWindow is how recently a run without results must have written
	// jepsen.log to count as in progress (default 60 s).
	LiveWindow time.Duration
	// Refresh is how often a page showing a run in progress reloads
	// (default 5 s).
	Refresh time.Duration
	// Logf receives one line per request error; nil discards.
	Logf func(format string, args ...any)
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Store: "store", Host: "127.0.0.1", Port: 8080, LiveWindow: time.Minute, Refresh: 5 * time.Second}
}

// ErrConfig wraps configuration errors.
var ErrConfig = errors.New("serve: bad configuration")

func (c *Config) validate() error {
	d := DefaultConfig()
	if c.Store == "" {
		c.Store = d.Store
	}
	if c.Host == "" {
		c.Host = d.Host
	}
	if c.Port == 0 {
		c.Port = d.Port
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("%w: port %d", ErrConfig, c.Port)
	}
	if c.LiveWindow <= 0 {
		c.LiveWindow = d.LiveWindow
	}
	if c.Refresh <= 0 {
		c.Refresh = d.Refresh
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	st, err := os.Stat(c.Store)
	if err != nil {
		return fmt.Errorf("%w: store %s: %v", ErrConfig, c.Store, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%w: store %s is not a directory", ErrConfig, c.Store)
	}
	return nil
}
