package journal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"broadcast/maelstrom/netsim"
)

// Kind is an event's kind.
type Kind uint8

// Event kinds.
const (
	Send Kind = iota + 1
	Deliver
	Drop
	// Lost says Count events were left out here (the disk fell behind).
	Lost
)

// Event is one journal record, names resolved.
type Event struct {
	Kind Kind
	ID   int64
	// At is the send time (Send) or the hand-over or drop time.
	At int64
	// Due is a Send's deadline: At plus the drawn latency.
	Due int64
	// Src, Dest and Body are set on Send; Body aliases the reader's buffer
	// and is valid until the next call to Next. Body is the first
	// Config.MaxBodyBytes of the message's body, whose whole length is
	// BodyBytes.
	Src, Dest string
	Body      []byte
	BodyBytes int
	// Why is a Drop's reason.
	Why netsim.DropReason
	// Count is a Lost record's count.
	Count int64
}

// ErrFormat is returned for a file that is not a journal or is corrupt.
var ErrFormat = errors.New("journal: bad format")

// Reader reads a journal as a stream. Create it with Open or NewReader.
type Reader struct {
	r     *bufio.Reader
	c     io.Closer
	names []string
	body  []byte
}

// Open opens the journal file at path.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.c = f
	return r, nil
}

// NewReader reads a journal from r, checking its magic line.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty file", ErrFormat)
		}
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if string(head) != magic {
		return nil, fmt.Errorf("%w: no journal header", ErrFormat)
	}
	return &Reader{r: br}, nil
}

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.c != nil {
		return r.c.Close()
	}
	return nil
}

// Next returns the next send, deliver, drop or lost event. At the end it
// returns io.EOF, or io.ErrUnexpectedEOF if the file ends inside a record
// (a run still writing, or one that crashed).
func (r *Reader) Next() (Event, error) {
	for {
		k, err := r.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Event{}, io.EOF
			}
			return Event{}, err
		}
		var u [7]uint64
		switch k {
		case kindName:
			if err := r.uvarints(u[:2]); err != nil {
				return Event{}, err
			}
			name, err := r.bytes(u[1])
			if err != nil {
				return Event{}, err
			}
			if u[0] != uint64(len(r.names)) {
				return Event{}, fmt.Errorf("%w: name %d out of order", ErrFormat, u[0])
			}
			r.names = append(r.names, string(name))
		case kindSend:
			if err := r.uvarints(u[:7]); err != nil {
				return Event{}, err
			}
			if u[3] >= uint64(len(r.names)) || u[4] >= uint64(len(r.names)) {
				return Event{}, fmt.Errorf("%w: unknown name in send %d", ErrFormat, u[0])
			}
			if u[6] > u[5] {
				return Event{}, fmt.Errorf("%w: send %d keeps %d body bytes of %d", ErrFormat, u[0], u[6], u[5])
			}
			body, err := r.bytes(u[6])
			if err != nil {
				return Event{}, err
			}
			return Event{Kind: Send, ID: int64(u[0]), At: int64(u[1]), Due: int64(u[2]),
				Src: r.names[u[3]], Dest: r.names[u[4]], Body: body, BodyBytes: int(u[5])}, nil
		case kindDeliver:
			if err := r.uvarints(u[:2]); err != nil {
				return Event{}, err
			}
			return Event{Kind: Deliver, ID: int64(u[0]), At: int64(u[1])}, nil
		case kindDrop:
			if err := r.uvarints(u[:2]); err != nil {
				return Event{}, err
			}
			why, err := r.r.ReadByte()
			if err != nil {
				return Event{}, io.ErrUnexpectedEOF
			}
			return Event{Kind: Drop, ID: int64(u[0]), At: int64(u[1]), Why: netsim.DropReason(why)}, nil
		case kindLost:
			if err := r.uvarints(u[:1]); err != nil {
				return Event{}, err
			}
			return Event{Kind: Lost, Count: int64(u[0])}, nil
		default:
			return Event{}, fmt.Errorf("%w: record kind %#x", ErrFormat, k)
		}
	}
}

func (r *Reader) uvarints(dst []uint64) error {
	for i := range dst {
		v, err := binary.ReadUvarint(r.r)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return io.ErrUnexpectedEOF
			}
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		dst[i] = v
	}
	return nil
}

// maxBody bounds one body, far above the 64 KiB line limit nodes keep to,
// so that a corrupt length cannot make the reader allocate without bound.
const maxBody = 64 << 20

func (r *Reader) bytes(n uint64) ([]byte, error) {
	if n > maxBody {
		return nil, fmt.Errorf("%w: record of %d bytes", ErrFormat, n)
	}
	if uint64(cap(r.body)) < n {
		r.body = make([]byte, n)
	}
	b := r.body[:n]
	if _, err := io.ReadFull(r.r, b); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	return b, nil
}
