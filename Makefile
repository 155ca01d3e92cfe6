GO ?= go

.PHONY: test vet bench report ci
test:
	$(GO) test ./...

vet:
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	GOOS=darwin $(GO) build ./...
	GOOS=windows $(GO) build ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 200x ./bench/

report:
	$(GO) run ./cmd/runbench

ci: vet test
