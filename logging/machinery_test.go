package logging

import (
	"testing"

	mlog "github.com/RichardKnop/machinery/v2/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestRouteMachinery_SendsEachLevelToZapOnce(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	RouteMachinery(zap.New(core))
	cases := []struct {
		name  string
		print func()
		want  zapcore.Level
	}{
		{"debug", func() { mlog.DEBUG.Printf("body %s", "{}") }, zapcore.DebugLevel},
		{"info is chatter", func() { mlog.INFO.Print("launching") }, zapcore.DebugLevel},
		{"warning", func() { mlog.WARNING.Println("broker slow") }, zapcore.WarnLevel},
		{"error", func() { mlog.ERROR.Printf("failed %d", 1) }, zapcore.ErrorLevel},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.print()
			got := logs.TakeAll()
			if len(got) != 1 {
				t.Fatalf("%d entries, want 1: %v", len(got), got)
			}
			if got[0].Level != c.want || got[0].LoggerName != "machinery" {
				t.Errorf("entry at %s from %q, want %s from machinery", got[0].Level, got[0].LoggerName, c.want)
			}
		})
	}
	t.Run("fatal panics instead of exiting", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("FATAL did not panic")
			}
			if got := logs.TakeAll(); len(got) != 1 || got[0].Level != zapcore.ErrorLevel {
				t.Errorf("entries = %v, want one at error", got)
			}
		}()
		mlog.FATAL.Fatal("gone")
	})
}

func TestNew_RejectsUnknownLevelAndFormat(t *testing.T) {
	if _, err := New("loud", "json"); err == nil {
		t.Error("level loud accepted")
	}
	if _, err := New("info", "xml"); err == nil {
		t.Error("format xml accepted")
	}
	if _, err := New("warn", "console"); err != nil {
		t.Errorf("warn/console refused: %v", err)
	}
}
